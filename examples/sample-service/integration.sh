#!/bin/sh
# Integration tests of the deployed sample service: each line of integration.txt is "name|path|text"; the test
# fetches $SLIPWAY_URL$path and passes when the answer holds the text. Writes a JUnit report to
# /reports/junit.xml and fails when any test fails.
mkdir -p /reports
# Tests that take a while, when a file says how long (the tests of cancelling a run use it).
[ -f /app/slow-integration ] && echo "taking $(cat /app/slow-integration) s" && sleep "$(cat /app/slow-integration)"
total=0
failed=0
cases=""
while IFS='|' read -r name path text; do
  [ -z "$name" ] && continue
  total=$((total + 1))
  echo "GET $SLIPWAY_URL$path"
  body=$(wget -q -O - "$SLIPWAY_URL$path" 2>&1)
  case "$body" in
    *"$text"*) cases="$cases<testcase classname=\"integration\" name=\"$name\" time=\"0.01\"/>" ;;
    *)
      failed=$((failed + 1))
      echo "FAIL $name: expected $text at $path"
      cases="$cases<testcase classname=\"integration\" name=\"$name\"><failure message=\"expected $text at $path\">expected $text at $path</failure></testcase>"
      ;;
  esac
done < /app/integration.txt
echo "<?xml version=\"1.0\"?><testsuites><testsuite name=\"integration\" tests=\"$total\" failures=\"$failed\">$cases</testsuite></testsuites>" > /reports/junit.xml
echo "$total integration tests, $failed failed"
[ "$failed" -eq 0 ]
