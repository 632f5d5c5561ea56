kubectl --server=https://127.0.0.1: --token=k8sop-token --insecure-skip-tls-verify
