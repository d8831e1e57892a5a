def kakehashi(request):
    return {}
