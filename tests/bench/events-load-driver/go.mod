module live-shop/tests/bench/events-load-driver

go 1.22
