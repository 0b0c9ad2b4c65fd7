.PHONY: demo test ci lint format
demo:        ## set up and run on SQLite with demo users and data
	./bin/demo
test:        ## the whole test suite (PostgreSQL + SQLite)
	./bin/test
ci:          ## what CI runs, including installs
	./.ci/run
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
