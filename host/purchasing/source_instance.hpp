// The source plugin as the purchasing process holds it (plugins/instance.hpp: loaded in this
// process, as the design wants, opened with its checked settings, closed exactly once).
#pragma once

#include "common/run_config.hpp"
#include "plugins/instance.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace factory::purchasing {

class source_instance {
public:
    // Loads and opens the source; throws std::runtime_error with one line naming the plugin.
    source_instance(const plugin_choice& choice, const factory_host* host)
        : name_(choice.name),
          plugin_(choice, [host](const factory_source_hooks* h, const factory_settings* s, void** handle,
                                 factory_error* err) { return h->on_open(host, s, handle, err); }) {}
    // A source already open in this process, given as its hooks and handle (unit tests); closed
    // like a loaded one. `hooks` must outlive this object.
    source_instance(std::string name, const factory_source_hooks* hooks, void* handle) noexcept
        : name_(std::move(name)), plugin_(hooks, handle) {}

    int fill(factory_fill* fill, factory_error* err) noexcept {
        return plugin_.hooks().on_fill(plugin_.handle(), fill, err);
    }
    void close() noexcept { plugin_.close(); }

    // True when the source has the position hooks (it may still refuse at position(): stdin).
    bool can_checkpoint() const noexcept {
        return plugin_.hooks().on_position != nullptr && plugin_.hooks().on_seek != nullptr;
    }
    // Where the input stands, between two fill() calls, as the source's opaque bytes (at most
    // FACTORY_POSITION_MAX). Throws std::runtime_error "source NAME: <its reason>" when it has no
    // position hooks or cannot be resumed (stdin, a live capture).
    std::string position() {
        if (!can_checkpoint())
            throw std::runtime_error("source " + name_ + " cannot resume after a crash (it has no position hooks); "
                                     "run without --checkpoint, or use a source that can");
        std::string out(FACTORY_POSITION_MAX, '\0');
        std::uint32_t size = 0;
        factory_error err{};
        if (plugin_.hooks().on_position(plugin_.handle(), out.data(), FACTORY_POSITION_MAX, &size, &err) != FACTORY_OK)
            throw std::runtime_error("source " + name_ + ": " + said(err));
        if (size > FACTORY_POSITION_MAX)
            throw std::runtime_error("source " + name_ + ": its position claims " + std::to_string(size) +
                                     " bytes, more than the " + std::to_string(FACTORY_POSITION_MAX) + " it was given");
        out.resize(size);
        return out;
    }
    // Continues just after `pos` (bytes position() gave in a run with the same settings); call after
    // open, before the first fill(). Throws std::runtime_error "source NAME: <its reason>".
    void seek(const std::string& pos) {
        if (!can_checkpoint())
            throw std::runtime_error("source " + name_ + " cannot resume from a checkpoint (it has no position "
                                     "hooks)");
        factory_error err{};
        if (plugin_.hooks().on_seek(plugin_.handle(), pos.data(), static_cast<std::uint32_t>(pos.size()), &err) !=
            FACTORY_OK)
            throw std::runtime_error("source " + name_ + ": cannot resume from the checkpoint's position: " + said(err));
    }

    // Whether the source wants to hear of completed checkpoints (on_checkpoint_done).
    bool wants_checkpoint_done() const noexcept { return plugin_.hooks().on_checkpoint_done != nullptr; }
    // Checkpoint `epoch` is complete; `pos` is the position it holds. Between two fill() calls.
    // Throws std::runtime_error "source NAME: <its reason>" when the source says it failed.
    void checkpoint_done(std::uint64_t epoch, const std::string& pos, const factory_state_walk* workers) {
        factory_error err{};
        if (plugin_.hooks().on_checkpoint_done(plugin_.handle(), epoch, pos.data(),
                                               static_cast<std::uint32_t>(pos.size()), workers, &err) != FACTORY_OK)
            throw std::runtime_error("source " + name_ + ": " + said(err));
    }

private:
    static std::string said(const factory_error& err) {
        return err.message[0] != '\0' ? std::string(err.message) : std::string("no reason given");
    }

    std::string name_;
    plugins::instance<factory_source_hooks> plugin_;
};

} // namespace factory::purchasing
