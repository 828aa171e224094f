"""The academy: courses, lessons, enrolment, progress, quizzes, certificates and reviews."""
