"""What the REST API and the web pages share below them: the request context (database,
principal, CSRF, versions), how failures map to HTTP statuses, and report downloads.

Neither ``interfaces.api`` nor ``interfaces.web`` imports the other; both import this
package, and only the application assembly (``interfaces.api.app``) joins them.
"""
