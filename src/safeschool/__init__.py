"""safeschool: measure, explain and act on students' security and belonging across a European school network."""

__version__ = "0.1.0"
