from django.http import Http404

def customer_list_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_create_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_bin_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_autocomplete_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_detail_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_edit_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_delete_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_review_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_restore_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404

def customer_history_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404
