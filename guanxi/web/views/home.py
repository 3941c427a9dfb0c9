from django.http import Http404

def home_view(request, *args, **kwargs):  # placeholder, being written
    raise Http404
