"""Research registry: countries, schools, classes, teachers, students, waves, scale scores and outcomes."""
