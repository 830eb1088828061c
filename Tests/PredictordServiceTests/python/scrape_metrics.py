"""Scrapes a predictord /metrics endpoint with a real HTTP client and parses it with prometheus_client's text
parser (the Prometheus project's Python client), printing every sample as one JSON line:
{"name": ..., "labels": {...}, "value": ...}. Exit status 2 when the endpoint answers other than 200.

usage: scrape_metrics.py URL [TOKEN]
"""
import json
import math
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    url = sys.argv[1]
    request = urllib.request.Request(url)
    if len(sys.argv) > 2:
        request.add_header("Authorization", "Bearer " + sys.argv[2])
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            content_type = response.headers.get("Content-Type", "")
            text = response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        print(json.dumps({"status": error.code}))
        sys.exit(2)
    print(json.dumps({"content_type": content_type}))
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            value = sample.value
            print(json.dumps({
                "family": family.name, "type": family.type, "name": sample.name, "labels": sample.labels,
                "value": None if math.isnan(value) else (str(value) if math.isinf(value) else value),
            }))


if __name__ == "__main__":
    main()
