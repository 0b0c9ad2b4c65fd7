"""One module per report; each builds a ``reporting.tables.Report`` from database aggregates."""
