"""The inventory part of the REST API, and the document machinery every document type's API shares."""
