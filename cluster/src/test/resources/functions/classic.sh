#!/bin/sh
# Test function (classic mode): echoes the CGI environment and the body; /fail exits 1.
body=$(cat)
if [ "$Http_Path" = "/fail" ]; then
  echo "failing on purpose"
  exit 1
fi
echo "method=$Http_Method"
echo "path=$Http_Path"
echo "query=$Http_Query"
echo "custom=$Http_X_Custom"
echo "body=$body"
