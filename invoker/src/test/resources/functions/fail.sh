# A classic test function that fails with output on both streams.
echo "boom on stdout"
echo "bad on stderr" >&2
exit 3
