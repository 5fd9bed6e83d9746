"""Answering: understand the question, retrieve procedures, compose a grounded answer."""
