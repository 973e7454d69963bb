/* A librdkafka mock cluster whose brokers can be taken down and brought back, for the broker-outage test
 * (confluent-kafka's Python mock cluster cannot stop a broker). Compiled by the test with `gcc ... -lrdkafka`.
 *
 * Prints `bootstrap HOST:PORT,...`, then serves one command per line on stdin, answering `ok`:
 *   create TOPIC PARTITIONS   creates a topic;
 *   down                      takes every broker down (connections dropped, new ones refused; data kept);
 *   up                        brings them back.
 * Ends when stdin closes. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <string.h>

#define BROKERS 3

int main(void) {
  char error[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", error, sizeof error);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, BROKERS);
  if (!cluster) {
    fprintf(stderr, "cannot create the mock cluster\n");
    return 1;
  }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  char line[512];
  while (fgets(line, sizeof line, stdin)) {
    char topic[256];
    int partitions;
    if (sscanf(line, "create %255s %d", topic, &partitions) == 2) {
      rd_kafka_mock_topic_create(cluster, topic, partitions, BROKERS);
    } else if (strcmp(line, "down\n") == 0) {
      for (int id = 1; id <= BROKERS; id++) rd_kafka_mock_broker_set_down(cluster, id);
    } else if (strcmp(line, "up\n") == 0) {
      for (int id = 1; id <= BROKERS; id++) rd_kafka_mock_broker_set_up(cluster, id);
    } else {
      printf("error unknown command\n");
      fflush(stdout);
      continue;
    }
    printf("ok\n");
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
