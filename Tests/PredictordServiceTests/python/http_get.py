"""One GET with Python's urllib (a real HTTP client): prints {"status": ..., "body": ...} as JSON.

usage: http_get.py URL [HEADER:VALUE ...]
"""
import json
import sys
import urllib.error
import urllib.request

request = urllib.request.Request(sys.argv[1])
for header in sys.argv[2:]:
    name, value = header.split(":", 1)
    request.add_header(name, value.strip())
try:
    with urllib.request.urlopen(request, timeout=10) as response:
        status, body = response.status, response.read()
except urllib.error.HTTPError as error:
    status, body = error.code, error.read()
print(json.dumps({"status": status, "body": body.decode("utf-8", "replace")}))
