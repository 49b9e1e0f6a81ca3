"""One structured JSON logger for every function (Powertools)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="eoffice")
