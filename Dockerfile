# linkdoctor: Debian-based Python with Debian's ffmpeg, served by waitress (one process:
# the task manager and its scan threads live in it, so never run several workers).
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir -r requirements.txt && pip install --no-cache-dir --no-deps .

ENV LINKDOCTOR_DATA_DIR=/app/data \
    LINKDOCTOR_MEDIA_PATH=/app/medias \
    LINKDOCTOR_HOST=0.0.0.0 \
    LINKDOCTOR_PORT=8642
VOLUME ["/app/data"]
EXPOSE 8642
CMD ["linkdoctor", "serve"]
