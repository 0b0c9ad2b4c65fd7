from production import views

app_name = "production"

urlpatterns = [*views.run_pages.urls()]
