#!/usr/bin/env bash
set -euo pipefail
docker login -u deploy -p 'Bt5nKc9QwZr4Yd' registry.example.com
docker run -d --name api \
  -e "API_SIGNING_SECRET=Hq8vTz3LmWp2Xr" \
  registry.example.com/api:latest
echo "Sw7pLq2VmXc8Nt" | docker secret create api_db_password -
