# The Rasa 3.6.21 server with the project's channels (channels/, which use bot/). The model is trained
# during the build, exactly as scripts/train.sh does, so an image always carries the model of its own data.
# Not built on the development machine (it has no Docker engine); deploy/k8s/rasa.yaml runs it.
#   docker build -f deploy/docker/rasa.Dockerfile -t aftercare-rasa .     (from the repository root)
FROM python:3.10-slim
ENV PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
WORKDIR /app
COPY requirements/rasa.txt requirements/rasa.txt
RUN pip install -r requirements/rasa.txt
COPY config.yml domain.yml credentials.production.yml ./
COPY data/ data/
RUN rasa train --config config.yml --domain domain.yml --data data/nlu data/*.yml \
      --out models --fixed-model-name aftercare --quiet
COPY bot/ bot/
COPY replies/ replies/
COPY channels/ channels/
RUN useradd --uid 10001 --no-create-home aftercare
USER 10001
EXPOSE 5005
# endpoints.yml comes from the ConfigMap (deploy/k8s/configmap.yaml), mounted at /config. The channels are
# credentials.production.yml's: REST only with AFTERCARE_REST_TOKEN (the web app's relay sends it).
ENTRYPOINT ["rasa", "run", "--model", "models/aftercare.tar.gz", "--endpoints", "/config/endpoints.yml", \
            "--credentials", "credentials.production.yml", "--port", "5005", "--interface", "0.0.0.0"]
# The browser origins allowed to call Rasa: the web app's by default (as AFTERCARE_ALLOWED_ORIGINS' default);
# the Deployment passes the public URL (deploy/k8s/rasa.yaml).
CMD ["--cors", "http://127.0.0.1:8000", "http://localhost:8000"]
