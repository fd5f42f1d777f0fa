# The registry-gql API. `docker compose up` runs it with PostgreSQL; see
# docker-compose.yml for the settings it reads.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . /app

# Editable install: `registry-gql migrate` finds migrations/ beside src/ in the
# source tree, which a regular install into site-packages would leave behind.
RUN pip install -e . \
    && useradd --system --home-dir /var/lib/registry-gql --create-home registry-gql \
    && install -d -o registry-gql -g registry-gql -m 700 /var/lib/registry-gql/keys

USER registry-gql
ENV JWT_PRIVATE_KEY_FILE=/var/lib/registry-gql/keys/jwt-signing-key.pem
EXPOSE 8000

ENTRYPOINT ["registry-gql"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
