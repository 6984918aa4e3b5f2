module sockward.local/e2e/whoami

go 1.22
