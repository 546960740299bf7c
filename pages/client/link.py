"""The one calm page for any link that doesn't work: it reveals nothing about why."""
from components.client_link import problem_page

problem_page()
