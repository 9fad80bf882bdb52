# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER ?= $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES ?= False
export AIRFLOW__API_AUTH__JWT_SECRET ?= climate-contract-local-only
export CLIMATE_CONTRACT_DATA_DIR ?= $(CURDIR)/data
export GX_ANALYTICS_ENABLED := false
# Locally, the DAGs run as soon as Airflow sees them; one steward account for the UI.
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION ?= False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS ?= steward:admin

.PHONY: setup system-packages demo airflow test lint lock clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# Each DAG run's whole log goes to .airflow/<dag>.log; one line here, or the log's end
# when the run fails (`airflow dags test` exits non-zero then).
define run_dag
	@$(BIN)/airflow dags test $(1) > $(AIRFLOW_HOME)/$(1).log 2>&1 \
		&& echo "$(1): success (log: $(AIRFLOW_HOME)/$(1).log)" \
		|| { tail -n 60 $(AIRFLOW_HOME)/$(1).log; echo "$(1) failed (log: $(AIRFLOW_HOME)/$(1).log)"; exit 1; }
endef

# Sample files into the inbox, the DAGs run by Airflow itself (reference data first,
# as its own DAG loads it), a mart printed.
# The sample files are complete as soon as written: no need to let them settle.
demo: export CLIMATE_CONTRACT_SETTLE_SECONDS = 0
demo: setup
	$(BIN)/climate-contract samples
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME).migrate.log 2>&1 || (cat $(AIRFLOW_HOME).migrate.log; exit 1)
	$(call run_dag,reference_refresh)
	$(call run_dag,partner_collection)
	$(call run_dag,impact_aggregation)
	$(BIN)/climate-contract mart commitments_by_axis_year --where campaign_id=2026 --where year=2027 \
		--columns plan_axis_label,year,investment_eur_gross,investment_eur_deduplicated,avoided_tco2e_per_year_deduplicated,suppressed_reason
	@echo "The campaign reports for elected officials (open the HTML in a browser):"
	$(BIN)/climate-contract reports
	@echo "To follow the DAGs in Airflow's UI: make airflow, open http://localhost:8080 and log in as"
	@echo "steward with the password in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated"

# Airflow's UI and every component in one process, on http://localhost:8080: log in as
# `steward` with the password Airflow prints and keeps in
# .airflow/simple_auth_manager_passwords.json.generated. Ctrl-C stops it.
airflow: export CLIMATE_CONTRACT_SETTLE_SECONDS ?= 60
airflow: setup
	$(BIN)/airflow standalone

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Chromium renders the partner and campaign reports in the tests; Pango draws the PDF's text, HarfBuzz's
# subsetter keeps only the glyphs it uses (WeasyPrint warns without it); LibreOffice Calc opens,
# saves and prints the partner's template in the tests, as a partner without Excel does.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libreoffice-calc-nogui

system-packages:
	@dpkg -s $(SYSTEM_PACKAGES) > /dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$(SYSTEM_PACKAGES) > /dev/null; } \
		|| echo "chromium or LibreOffice could not be installed: the tests that need them will say so"

test: lint system-packages
	$(BIN)/pytest -n 2 --durations=25

# Regenerate the lock after changing dependencies in pyproject.toml.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -o requirements.lock

clean:
	rm -rf $(VENV) .airflow data
