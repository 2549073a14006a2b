"""Server-rendered web pages: dashboard, portfolio, project and result pages, data entry,
review, reports, accounts, in the six UN languages."""
