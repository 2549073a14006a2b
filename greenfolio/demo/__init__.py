"""The demo portfolio: the work and results reported to UNIDO's Industrial Development
Board at its 49th session (2021), recorded from the report's paragraphs."""
