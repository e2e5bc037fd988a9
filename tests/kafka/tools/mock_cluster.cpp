// factory-kafka-mock: librdkafka's mock cluster in a process of its own, for tests (and by hand).
//
//   factory-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...
//
// Starts a mock cluster of N brokers (default 1) listening on loopback, creates the topics named
// (each with its partition count; a topic a client asks for that was not created here is made by
// the mock with its default of 4 partitions), prints the bootstrap address ("127.0.0.1:PORT,...")
// as one line on stdout, and runs until SIGTERM or SIGINT, or until its standard input ends when
// that is a pipe or a terminal (so `factory-kafka-mock </dev/null &` runs until killed, and a test
// that holds a pipe to it only has to close it). For a test that takes the brokers away mid-run:
// SIGUSR1 takes every broker down (connections closed, new ones refused), SIGUSR2 brings them all
// back; lines read from such a stdin are commands for one broker, "down ID" / "up ID" (ids from 1),
// each answered on stdout with "ok" or "error: ...".
//
// The mock cluster is librdkafka's own (rdkafka_mock.h, "experimental"); see the Kafka notes in
// docs for what it does not model (transactions, SSL/SASL, a full group coordinator).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

int usage(const char* why) {
    std::fprintf(stderr,
                 "factory-kafka-mock: %s\n"
                 "usage: factory-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...\n",
                 why);
    return 2;
}

bool parse_int(const char* text, int lo, int hi, int& out) {
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) return false;
    out = static_cast<int>(v);
    return true;
}

// A stdin worth watching: one whose end means "stop" (a pipe, a socket, a terminal), not
// /dev/null or a file, whose end comes at once.
bool watch_stdin() {
    struct stat st{};
    if (::fstat(STDIN_FILENO, &st) != 0) return false;
    return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || ::isatty(STDIN_FILENO) == 1;
}

void answer(const std::string& line) {
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
}

void command(rd_kafka_mock_cluster_t* mc, const std::string& line, int brokers) {
    char verb[16] = {};
    int id = 0;
    char extra = 0;
    if (std::sscanf(line.c_str(), "%15s %d %c", verb, &id, &extra) != 2 || id < 1 || id > brokers) {
        answer("error: commands are 'down ID' and 'up ID', ID from 1 to " + std::to_string(brokers));
        return;
    }
    rd_kafka_resp_err_t err;
    if (std::strcmp(verb, "down") == 0) err = rd_kafka_mock_broker_set_down(mc, id);
    else if (std::strcmp(verb, "up") == 0) err = rd_kafka_mock_broker_set_up(mc, id);
    else {
        answer(std::string("error: unknown command '") + verb + "'");
        return;
    }
    answer(err == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : std::string("error: ") + rd_kafka_err2str(err));
}

} // namespace

int main(int argc, char** argv) {
    int brokers = 1;
    std::vector<std::pair<std::string, int>> topics;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            usage("a mock Kafka cluster on loopback; prints its bootstrap address");
            return 0;
        }
        if (i + 1 >= argc) return usage(("'" + a + "' wants a value").c_str());
        const char* v = argv[++i];
        if (a == "--brokers") {
            if (!parse_int(v, 1, 16, brokers)) return usage("--brokers wants a number from 1 to 16");
        } else if (a == "--topic") {
            const char* colon = std::strrchr(v, ':');
            int parts = 0;
            if (colon == nullptr || colon == v || !parse_int(colon + 1, 1, 10000, parts))
                return usage(("--topic wants NAME:PARTITIONS (1 to 10000), got '" + std::string(v) + "'").c_str());
            topics.emplace_back(std::string(v, colon), parts);
        } else {
            return usage(("unknown option '" + a + "'").c_str());
        }
    }

    // Blocked before librdkafka starts its threads, so that every thread inherits the mask and the
    // signals wait in the signalfd for the main loop.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGUSR1);
    sigaddset(&stop, SIGUSR2);
    sigprocmask(SIG_BLOCK, &stop, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    int sfd = ::signalfd(-1, &stop, SFD_CLOEXEC);
    if (sfd < 0) {
        std::fprintf(stderr, "factory-kafka-mock: signalfd: %s\n", std::strerror(errno));
        return 1;
    }

    // The mock cluster needs a client handle to live in; a producer that never produces.
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        std::fprintf(stderr, "factory-kafka-mock: %s\n", errstr);
        return 1;
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == nullptr) {
        std::fprintf(stderr, "factory-kafka-mock: cannot make a client: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (mc == nullptr) {
        std::fprintf(stderr, "factory-kafka-mock: cannot start a mock cluster of %d brokers\n", brokers);
        rd_kafka_destroy(rk);
        return 1;
    }
    for (const auto& [name, parts] : topics) {
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name.c_str(), parts, brokers < 3 ? brokers : 3);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            std::fprintf(stderr, "factory-kafka-mock: cannot create topic '%s': %s\n", name.c_str(),
                         rd_kafka_err2str(err));
            rd_kafka_mock_cluster_destroy(mc);
            rd_kafka_destroy(rk);
            return 1;
        }
    }
    answer(rd_kafka_mock_cluster_bootstraps(mc));

    const bool watch = watch_stdin();
    std::string pending;
    while (true) {
        pollfd fds[2] = {{sfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        int r = ::poll(fds, watch ? 2 : 1, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            std::fprintf(stderr, "factory-kafka-mock: poll: %s\n", std::strerror(errno));
            break;
        }
        if (fds[0].revents != 0) {
            signalfd_siginfo si{};
            if (::read(sfd, &si, sizeof si) != static_cast<ssize_t>(sizeof si)) continue;
            if (si.ssi_signo != SIGUSR1 && si.ssi_signo != SIGUSR2) break;
            for (int id = 1; id <= brokers; ++id) {
                if (si.ssi_signo == SIGUSR1) rd_kafka_mock_broker_set_down(mc, id);
                else rd_kafka_mock_broker_set_up(mc, id);
            }
            continue;
        }
        if (watch && fds[1].revents != 0) {
            char buf[512];
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0) break; // the end of stdin: stop
            pending.append(buf, static_cast<std::size_t>(n));
            for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
                std::string line = pending.substr(0, nl);
                if (!line.empty()) command(mc, line, brokers);
            }
        }
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    ::close(sfd);
    return 0;
}
