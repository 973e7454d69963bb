#!/usr/bin/env python3
"""The peer of the replay benchmark: DuckDB computing the same geohash-6 aggregates as configs/transport.yaml
(events, distinct vehicles, speed mean/p50/p90/max, delay mean/sd, share of speeds below 5 km/h, by route)
straight from the zstd NDJSON file. Prints rows and seconds.

Usage: bench_peer.py FILE [THREADS] [1m|gh6]
  1m   per-minute windows only (the like-for-like query of scripts/bench-transport-1m.yaml)
  gh6  per-minute windows and 15-minute windows every 5 minutes (scripts/bench-transport-gh6.yaml): each event is
       in one 1m window and three 15m windows, as in areaflow"""
import sys
import time

import duckdb


def geohash_key(bits: int) -> str:
    """SQL for the interleaved geohash bits (longitude first) of `bits` width, as one integer."""
    lon_bits, lat_bits = (bits + 1) // 2, bits // 2
    lon_q = f"least(floor((lon + 180) / 360 * {1 << lon_bits})::BIGINT, {(1 << lon_bits) - 1})"
    lat_q = f"least(floor((lat + 90) / 180 * {1 << lat_bits})::BIGINT, {(1 << lat_bits) - 1})"
    terms = []
    li, ai = lon_bits, lat_bits
    for k in range(bits):
        shift = bits - 1 - k
        if k % 2 == 0:
            li -= 1
            terms.append(f"(((({lon_q}) >> {li}) & 1) << {shift})")
        else:
            ai -= 1
            terms.append(f"(((({lat_q}) >> {ai}) & 1) << {shift})")
    # DuckDB gives <<, >>, & and | one precedence, left to right: every term is parenthesised.
    return " | ".join(terms)


def main() -> None:
    path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    mode = sys.argv[3] if len(sys.argv) > 3 else "1m"
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    started = time.perf_counter()
    features = """count(*) AS events, count(DISTINCT vehicle_id) AS vehicles, avg(speed) AS speed_mean,
               quantile_disc(speed, 0.5) AS speed_p50, quantile_disc(speed, 0.9) AS speed_p90,
               max(speed) AS speed_max, avg(delay) AS delay_mean, stddev_samp(delay) AS delay_sd,
               avg(CASE WHEN speed < 5 THEN 1.0 WHEN speed IS NULL THEN NULL ELSE 0.0 END) AS crawling_share"""
    source = f"""
        WITH e AS (
          SELECT TRY_CAST(ts AS TIMESTAMP) AS t, vehicle_id, route,
                 TRY_CAST(lat AS DOUBLE) AS lat, TRY_CAST(lon AS DOUBLE) AS lon,
                 TRY_CAST(speed_kmh AS DOUBLE) AS speed, TRY_CAST(delay_s AS DOUBLE) AS delay
          FROM read_json('{path}', format='newline_delimited', compression='zstd', ignore_errors=true,
                         columns={{ts: 'VARCHAR', vehicle_id: 'VARCHAR', route: 'VARCHAR', lat: 'VARCHAR',
                                   lon: 'VARCHAR', speed_kmh: 'VARCHAR', delay_s: 'VARCHAR'}})
        ), v AS (
          SELECT *, {geohash_key(30)} AS cell FROM e
          WHERE t IS NOT NULL AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180
        )"""
    one_minute = f"""
        SELECT '1m' AS window, time_bucket(INTERVAL 1 minute, t) AS window_start, cell, route, {features}
        FROM v GROUP BY ALL"""
    fifteen = f"""
        SELECT '15m' AS window, time_bucket(INTERVAL 5 minute, t) - INTERVAL 5 minute * k AS window_start, cell, route,
               {features}
        FROM v, (SELECT unnest([0, 1, 2]) AS k) GROUP BY ALL"""
    query = source + (one_minute if mode == "1m" else one_minute + " UNION ALL " + fifteen)
    rows = con.execute(query).fetchall()
    elapsed = time.perf_counter() - started
    print(f"{len(rows)} {elapsed:.3f}")


if __name__ == "__main__":
    main()
