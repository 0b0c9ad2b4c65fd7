from cashbook import views

app_name = "cashbook"

urlpatterns = [*views.closing_pages.urls()]
