from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request):
    return render(request, "reporting/dashboard.html")


@login_required
def not_built_yet(request):
    return HttpResponse("This report is being built.", status=501)
