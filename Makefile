# The two quick-start commands: `make demo` and `make test`.
.PHONY: setup demo test bench

setup:
	@bash scripts/setup.sh

demo: setup
	@echo "== a WeChat export, format auto-detected"
	.venv/bin/chat2crm extract examples/wechat_demo.txt --rep-name 丁雅琴 --rep-id rep-12
	@echo "== a batch of canonical conversations, one output line each"
	.venv/bin/chat2crm extract --jsonl < examples/conversations.jsonl
	@echo "== time expressions"
	.venv/bin/chat2crm time < examples/times.jsonl
	@echo "== scores on the dev split, beside the keyword baseline"
	.venv/bin/chat2crm eval dev

test: setup
	bash scripts/services.sh
	.venv/bin/python -m pytest

bench: setup
	.venv/bin/python -m eval.bench_extract
