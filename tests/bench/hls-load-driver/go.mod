module live-shop/hls-load-driver

go 1.26
