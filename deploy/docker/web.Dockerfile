# The web app (web/app.py): the chat widget /widget.js, the demo page /, the staff console /desk. The widget
# bundles socket.io-client from web/node_modules, installed here from the committed package-lock.json. The
# console searches answers, so the image carries the corpus and its index like the action server's. Not
# built on the development machine (no Docker engine); deploy/k8s/web.yaml runs it.
#   docker build -f deploy/docker/web.Dockerfile -t aftercare-web .       (from the repository root)
FROM node:20-slim AS widget
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY replies/ replies/
COPY actions/ actions/
COPY store/ store/
COPY web/ web/
COPY channels/ channels/
COPY --from=widget /web/node_modules web/node_modules
# Editable, as in .venv: the apps read their static files, templates and data next to the source.
RUN pip install -e .
COPY data/ data/
RUN bot index
RUN useradd --uid 10001 --no-create-home aftercare && chown -R 10001 /app/var
USER 10001
EXPOSE 8000
# --no-proxy-headers: the app reads X-Forwarded-For itself, from AFTERCARE_TRUSTED_PROXIES only.
CMD ["uvicorn", "--factory", "web.app:app_from_environment", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers"]
