# Convenience aliases; the README's commands are `bash scripts/dev.sh demo` and `bash scripts/dev.sh test`.
.PHONY: setup demo test lint
setup demo test:
	bash scripts/dev.sh $@
lint:
	.venv/bin/ruff check src tests benchmarks
