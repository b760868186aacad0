{ "targets": [ { "target_name": "hyped_native", "sources": ["src/boxread.c", "src/mask.c"], "cflags": ["-O3", "-std=c11", "-Wall"] } ] }
