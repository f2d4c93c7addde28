"""The book and its reruns: build, runner, parameters, export and offline rendering."""
