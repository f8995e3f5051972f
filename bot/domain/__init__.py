"""The pure core: questions, rubrics, grading, ranking and selection. Imports no adapter."""
