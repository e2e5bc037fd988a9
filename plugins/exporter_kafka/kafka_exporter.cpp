#include "kafka_exporter.hpp"

#include "topic_template.hpp"

#include <charconv>

namespace factory::kafka {
namespace {

// Errors no retry mends: the products go to the dead-letter output at once.
bool refused_for_good(rd_kafka_resp_err_t err) noexcept {
    switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__FATAL: return true;
    default: return false;
    }
}

// librdkafka never blocks in produce: when its queue is full the batch waits here for room, at
// most this long per on_export, after which what is left is sent at the next flush.
constexpr int queue_full_wait_ms = 1000;

} // namespace

kafka_exporter::kafka_exporter(const factory::settings& s, factory::host h, const factory::export_info& info)
    : exporter(h), ctx_(h, s.string("brokers"), this) {
    binary_ = s.text("format") == "binary";
    render_.time = s.text("time") == "iso8601" ? render::time_format::iso8601 : render::time_format::ns;
    flush_timeout_ms_ = std::stoi(ms_text(s.duration_ns("flush_timeout")));
    const std::string tmpl = s.string("topic");
    shared_ = !per_pclass(tmpl);
    for (const factory_pclass& pc : info) {
        topic_names_.push_back(topic_for(tmpl, pc.name));
        pclass_names_.push_back(pc.name);
        std::string p = "{\"pclass\":";
        render::append_json_string(p, pc.name);
        prefixes_.push_back(std::move(p));
    }

    rd_kafka_conf_t* conf = new_conf(ctx_);
    try {
        set(conf, "enable.idempotence", "true");
        set(conf, "partitioner", "murmur2_random");
        set(conf, "compression.codec", s.string("compression"), "compression");
        set(conf, "linger.ms", ms_text(s.duration_ns("linger")), "linger");
        set(conf, "message.timeout.ms", ms_text(s.duration_ns("delivery_timeout")), "delivery_timeout");
        set(conf, "queue.buffering.max.messages", "1000000");
    } catch (...) {
        rd_kafka_conf_destroy(conf);
        throw;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, &kafka_exporter::on_delivery);
    rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, conf, ctx_);
    rk_.adopt(rk);
    reach(rk, ctx_, s.duration_ns("connect_timeout"), false);
    for (std::size_t i = 0; i < topic_names_.size(); ++i) {
        rd_kafka_topic_t* t = shared_ && i > 0 ? topics_[0] : rd_kafka_topic_new(rk, topic_names_[i].c_str(), nullptr);
        if (t == nullptr) {
            // rd_kafka_destroy() would wait for the topics made so far: give them back first.
            for (std::size_t j = 0; j < topics_.size(); ++j)
                if (!(shared_ && j > 0)) rd_kafka_topic_destroy(topics_[j]);
            topics_.clear();
            throw factory::error("topic '" + topic_names_[i] +
                                 "': " + rd_kafka_err2str(rd_kafka_last_error()));
        }
        topics_.push_back(t);
    }
}

kafka_exporter::~kafka_exporter() {
    if (rk_.get() == nullptr) return;
    if (rd_kafka_flush(rk_.get(), flush_timeout_ms_) != RD_KAFKA_RESP_ERR_NO_ERROR)
        host().log(factory::log_level::warn,
                   "" + std::to_string(rd_kafka_outq_len(rk_.get())) +
                       " messages still unacknowledged at close by brokers '" + ctx_.brokers +
                       "' (products of rounds already dead-lettered: they may arrive or not)");
    for (std::size_t i = 0; i < topics_.size(); ++i)
        if (!(shared_ && i > 0)) rd_kafka_topic_destroy(topics_[i]);
    rk_.reset();
}

void kafka_exporter::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<kafka_exporter*>(static_cast<client_context*>(opaque)->owner);
    delivery_round::message* msg = self->round_.find(m->_private);
    if (msg == nullptr) return; // a round the host gave up on
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        self->round_.delivered(*msg);
        return;
    }
    self->round_.failed(*msg, refused_for_good(m->err),
                        "topic '" + self->topic_names_[msg->pclass] + "': " + rd_kafka_err2str(m->err));
}

void kafka_exporter::send(std::uint32_t i, bool& patient) {
    delivery_round::message& m = round_[i];
    char key[24];
    const auto k = std::to_chars(key, key + sizeof key, m.pid);
    const std::string_view value = round_.value(m);
    const std::int64_t ms = m.time_ns > 0 ? m.time_ns / 1'000'000 : 0;
    // rd_kafka_produceva rather than rd_kafka_producev: the latter's macros are GNU statement
    // expressions, which -Wpedantic refuses under clang.
    rd_kafka_vu_t vu[7];
    vu[0].vtype = RD_KAFKA_VTYPE_RKT;
    vu[0].u.rkt = topics_[m.pclass];
    // RD_KAFKA_MSG_F_COPY: librdkafka keeps its own copy, so the arena may grow and be reused.
    vu[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[1].u.i = RD_KAFKA_MSG_F_COPY;
    vu[2].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[2].u.mem.ptr = const_cast<char*>(value.data());
    vu[2].u.mem.size = value.size();
    vu[3].vtype = RD_KAFKA_VTYPE_KEY;
    vu[3].u.mem.ptr = key;
    vu[3].u.mem.size = static_cast<std::size_t>(k.ptr - key);
    vu[4].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[4].u.i64 = ms;
    vu[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[5].u.ptr = round_.opaque(i);
    std::size_t n = 6;
    if (shared_) {
        vu[6].vtype = RD_KAFKA_VTYPE_HEADER;
        vu[6].u.header.name = "pclass";
        vu[6].u.header.val = pclass_names_[m.pclass];
        vu[6].u.header.size = -1; // NUL-terminated
        n = 7;
    }
    int waited = 0;
    while (true) {
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        if (rd_kafka_error_t* e = rd_kafka_produceva(rk_.get(), vu, n)) {
            err = rd_kafka_error_code(e);
            rd_kafka_error_destroy(e);
        }
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && patient && waited < queue_full_wait_ms) {
            rd_kafka_poll(rk_.get(), 50); // delivery reports make room
            waited += 50;
            continue;
        }
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) patient = false;
        round_.failed(m, refused_for_good(err), "topic '" + topic_names_[m.pclass] + "': " + rd_kafka_err2str(err));
        return;
    }
}

factory::export_result kafka_exporter::on_export(const factory::batch& b) {
    if (auto sizes = factory::check_record_sizes(b); sizes.code() != FACTORY_OK) return sizes;
    if (b.pclass() >= topics_.size())
        return factory::export_result::error("batch of undeclared pclass " + std::to_string(b.pclass()));
    if (flush_failed_) {
        // The host gave that round up (its products are dead letters now): start afresh. Its
        // messages still in flight may yet arrive: at least once.
        round_.reset();
        flush_failed_ = false;
    }
    const factory_pclass& pc = b.schema();
    bool patient = true;
    for (const factory_product* p : b) {
        const void* record = factory_product_payload(p);
        std::string& arena = round_.arena();
        const std::size_t mark = arena.size();
        if (binary_) {
            arena.append(static_cast<const char*>(record), pc.record_size);
        } else if (shared_) {
            arena.append(prefixes_[b.pclass()]);
            if (pc.field_count > 0) arena.push_back(',');
            render::append_json_members(arena, pc, record, render_);
            arena.push_back('}');
        } else {
            render::append_json(arena, pc, record, render_);
        }
        send(round_.add(b.pclass(), p->pid, p->time_ns, mark), patient);
    }
    rd_kafka_poll(rk_.get(), 0); // serve the delivery reports that came meanwhile
    return factory::export_result::ok();
}

factory::export_result kafka_exporter::on_flush() {
    bool patient = true;
    for (std::uint32_t i = 0; i < round_.size(); ++i)
        if (round_[i].st == delivery_round::state::failed) {
            round_.sent_again(round_[i]);
            send(i, patient);
        }
    rd_kafka_flush(rk_.get(), flush_timeout_ms_); // serves the delivery reports as they come
    if (round_.complete()) {
        if (round_.size() > 0) ctx_.recovered();
        round_.reset();
        flush_failed_ = false;
        return factory::export_result::ok();
    }
    flush_failed_ = true;
    return answer_incomplete();
}

factory::export_result kafka_exporter::answer_incomplete() {
    using st = delivery_round::state;
    const std::string of = " of " + std::to_string(round_.size()) + " products";
    const std::string where = " (brokers '" + ctx_.brokers + "')";
    if (round_.count(st::refused) > 0)
        return factory::export_result::error(std::to_string(round_.count(st::refused)) + of +
                                             " refused for good: " + round_.first_error() + where);
    if (round_.count(st::failed) > 0)
        return factory::export_result::retry(std::to_string(round_.count(st::failed)) + of +
                                             " not delivered: " + round_.first_error() +
                                             where);
    std::string last = ctx_.last_error.empty() ? "" : "; last client error: " + ctx_.last_error;
    return factory::export_result::retry(std::to_string(round_.count(st::in_flight)) + of +
                                         " not yet acknowledged after " + std::to_string(flush_timeout_ms_) + " ms" +
                                         where + last);
}

} // namespace factory::kafka
