from expenses import views

app_name = "expenses"

urlpatterns = [*views.expense_pages.urls()]
