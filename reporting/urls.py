from django.urls import path

from reporting import views
from reporting.catalogue import REPORTS

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views.index, name="index"),
    path("reports/bill-lines.csv", views.bill_lines_csv, name="bill-lines"),
    *[path(f"reports/{name}/", views.report_page, {"name": name}, name=name) for name in REPORTS],
]
