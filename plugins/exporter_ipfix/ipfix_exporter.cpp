#include "ipfix_exporter.hpp"

#include <factory/util/values.hpp>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace factory::ipfix {

namespace {

std::int64_t mono_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

std::uint32_t wall_seconds() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint32_t>(ts.tv_sec);
}

void sleep_until(std::int64_t deadline_ns) noexcept {
    timespec ts{static_cast<time_t>(deadline_ns / 1'000'000'000), static_cast<long>(deadline_ns % 1'000'000'000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

time_unit unit_of(std::string_view s) {
    if (s == "sec") return time_unit::sec;
    if (s == "micro") return time_unit::micro;
    if (s == "nano") return time_unit::nano;
    return time_unit::milli;
}

std::string describe(const factory_pclass& pc, const pclass_plan& p) {
    std::string text = std::string("pclass ") + pc.name + " -> template " + std::to_string(p.main.template_id);
    if (p.ipv4) text += " (IPv4 records: template " + std::to_string(p.ipv4->template_id) + ")";
    text += ":";
    for (const column& c : p.main.columns) {
        text += std::string(" ") + c.field->name + "=";
        const element* e = c.enterprise == 0 ? find_element(c.id) : nullptr;
        text += e != nullptr ? std::string(e->name) + "(" + std::to_string(c.id) + ")"
                             : (c.enterprise != 0 ? std::to_string(c.enterprise) + "/" : "") + std::to_string(c.id);
    }
    if (!p.skipped.empty()) {
        text += "; not sent:";
        for (const std::string& s : p.skipped) text += " " + s;
    }
    return text;
}

std::size_t message_limit(std::uint64_t mtu, std::size_t overhead, std::string_view collector) {
    if (mtu <= overhead + message_header_size + set_header_size)
        throw factory::error("setting 'mtu': " + std::to_string(mtu) + " bytes leave no room for an IPFIX message to " +
                             std::string(collector) + " (IP and UDP headers take " + std::to_string(overhead) + ")");
    return static_cast<std::size_t>(std::min<std::uint64_t>(mtu - overhead, 65535));
}

} // namespace

ipfix_exporter::ipfix_exporter(const factory::settings& s, factory::host h, const factory::export_info& info)
    : exporter(h),
      domain_(0),
      refresh_ns_(s.duration_ns("template_refresh")),
      socket_(s.text("collector")),
      message_(message_limit(s.size_bytes("mtu"), socket_.header_overhead(), socket_.name())),
      pacer_(s.uinteger("rate"), s.uinteger("burst")) {
    std::uint64_t domain = s.uinteger("domain");
    if (domain > 0xffffffffu)
        throw factory::error("setting 'domain': " + std::to_string(domain) + " is above 4294967295");
    domain_ = static_cast<std::uint32_t>(domain);
    if (s.uinteger("burst") == 0) throw factory::error("setting 'burst': must be 1 or more");
    if (info.size() > (0xffffu - 256) / 2)
        throw factory::error("the blueprint has " + std::to_string(info.size()) +
                             " pclasses; IPFIX template ids leave room for 32639");

    map_options mo;
    mo.map = s.string("map");
    mo.skip_unknown = s.text("unknown") == "skip";
    mo.times = unit_of(s.text("time_unit"));
    for (const map_entry& e : parse_map(mo.map)) {
        bool found = false;
        for (const factory_pclass& pc : info) found = found || find_field(pc, e.field) != nullptr;
        if (!found)
            throw factory::error("setting 'map': no pclass of the blueprint has a field '" + e.field +
                                 "'; `factory-host plugins <blueprint>` lists them");
    }
    const std::size_t room = message_.max_size() - message_header_size - set_header_size;
    for (std::uint32_t i = 0; i < info.size(); ++i) {
        const factory_pclass& pc = info[i];
        plans_.push_back(plan_pclass(pc, mo, static_cast<std::uint16_t>(256 + 2 * i)));
        const pclass_plan& p = plans_.back();
        std::size_t templates = p.main.template_size() + (p.ipv4 ? p.ipv4->template_size() : 0);
        std::size_t largest = std::max(p.main.largest_size, p.ipv4 ? p.ipv4->largest_size : 0);
        if (templates > room || largest > room)
            throw factory::error(std::string("pclass '") + pc.name + "' needs messages of up to " +
                                 std::to_string(message_header_size + set_header_size + std::max(templates, largest)) +
                                 " bytes, more than mtu " + std::to_string(s.size_bytes("mtu")) +
                                 " allows; raise mtu or skip fields with the map setting");
        host().log(factory::log_level::info, "to " + socket_.name() + ": " + describe(pc, p));
    }
    templates_sent_ns_.assign(plans_.size(), -1);
    template_list_.reserve(2);
}

ipfix_exporter::~ipfix_exporter() {
    try {
        host().log(factory::log_level::info, "sent " + std::to_string(records_) + " records in " +
                                                 std::to_string(messages_) + " messages to " + socket_.name());
    } catch (...) {
        // Nothing more can be done from a destructor.
    }
}

void ipfix_exporter::start_message(std::uint32_t pclass, std::int64_t now_ns) {
    message_.begin();
    message_has_templates_ = false;
    std::int64_t sent = templates_sent_ns_[pclass];
    if (sent >= 0 && refresh_ns_ > 0 && now_ns - sent < refresh_ns_) return;
    const pclass_plan& p = plans_[pclass];
    template_list_.clear();
    template_list_.push_back(&p.main);
    if (p.ipv4) template_list_.push_back(&*p.ipv4);
    // Checked at open: the templates fit in an empty message.
    message_has_templates_ = message_.add_templates(template_list_);
}

bool ipfix_exporter::send_message(std::uint32_t pclass, std::string& why, bool& fatal) {
    std::int64_t now = mono_ns();
    if (std::int64_t wait = pacer_.wait_ns(now); wait > 0) {
        sleep_until(now + wait);
        now += wait;
    }
    auto bytes = message_.finish(wall_seconds(), sequence_, domain_);
    send_status st = socket_.send(bytes, why);
    pacer_.sent(now);
    if (st != send_status::ok) {
        fatal = st == send_status::error;
        // The collector may come back without the templates it had: send them again first.
        std::fill(templates_sent_ns_.begin(), templates_sent_ns_.end(), -1);
        return false;
    }
    if (message_has_templates_) templates_sent_ns_[pclass] = now;
    sequence_ += message_.records();
    records_ += message_.records();
    ++messages_;
    return true;
}

std::uint64_t ipfix_exporter::digest(const factory::batch& b) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const factory_product* p : b) {
        h = (h ^ p->pid) * 0x100000001b3ULL;
        h = (h ^ static_cast<std::uint64_t>(p->time_ns)) * 0x100000001b3ULL;
    }
    return h;
}

bool ipfix_exporter::same_batch(const factory::batch& b) const noexcept {
    return resume_.count != 0 && resume_.products == b.begin() && resume_.count == b.size() &&
           resume_.pclass == b.pclass() && resume_.digest == digest(b);
}

void ipfix_exporter::remember(const factory::batch& b, std::uint32_t next) noexcept {
    resume_ = {b.begin(), b.size(), b.pclass(), digest(b), next};
}

factory::export_result ipfix_exporter::on_export(const factory::batch& b) {
    const std::uint32_t pc = b.pclass();
    if (pc >= plans_.size())
        return factory::export_result::error("batch of undeclared pclass " + std::to_string(pc));
    if (auto sizes = factory::check_record_sizes(b); sizes.code() != FACTORY_OK) return sizes;
    std::uint32_t i = same_batch(b) ? resume_.next : 0;
    resume_ = {};
    if (socket_.take_pending_error(why_)) {
        std::fill(templates_sent_ns_.begin(), templates_sent_ns_.end(), -1);
        remember(b, i);
        return factory::export_result::retry(why_);
    }
    const pclass_plan& plan = plans_[pc];
    std::uint32_t first_in_message = i;
    start_message(pc, mono_ns());
    bool fatal = false;
    while (i < b.size()) {
        const auto* record = static_cast<const unsigned char*>(factory_product_payload(&b[i]));
        if (message_.add_record(plan.layout_for(record), record)) {
            ++i;
            continue;
        }
        if (!send_message(pc, why_, fatal)) break;
        first_in_message = i;
        start_message(pc, mono_ns());
    }
    if (i == b.size() && (message_.records() == 0 || send_message(pc, why_, fatal)))
        return factory::export_result::ok();
    if (fatal) return factory::export_result::error(why_);
    remember(b, first_in_message);
    return factory::export_result::retry(why_ + " (" + std::to_string(first_in_message) + " of " +
                                         std::to_string(b.size()) + " records of this batch sent)");
}

} // namespace factory::ipfix
