from django.http import Http404

def contact_list_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def contact_create_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def contact_edit_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def contact_delete_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404
