#!/bin/sh
# A classic-mode function: forked once per request, body on stdin, request as Http_* variables.
body=$(cat)
printf 'Hello from sh: %s %s%s\n' "$Http_Method" "$Http_Path" "${Http_Query:+?$Http_Query}"
printf 'You sent %s bytes: %s\n' "${#body}" "$body"
