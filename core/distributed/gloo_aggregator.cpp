// The Aggregator on LibTorch's c10d: ProcessGroupGloo over a TCPStore (rank 0 serves it) or a FileStore.
// Built only when CMake found Gloo's headers and library (DERMGAN_HAVE_GLOO); otherwise connect() explains what is missing.
#include "distributed/aggregator.h"

#include <cstdlib>

#include "common/errors.h"

#ifdef DERMGAN_HAVE_GLOO
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace dermgan::distributed {

#ifdef DERMGAN_HAVE_GLOO

namespace {

std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

class GlooAggregator final : public Aggregator {
public:
    GlooAggregator(c10::intrusive_ptr<c10d::Store> store, const Rendezvous& rendezvous)
        : store_(std::move(store)), rank_(rendezvous.rank), world_(rendezvous.world)
    {
        auto options = c10d::ProcessGroupGloo::Options::create(rendezvous.timeout);
        // The interface Gloo listens on: GLOO_SOCKET_IFNAME as in PyTorch (e.g. a WireGuard tunnel, wg0);
        // else loopback for one machine; else the address this host's name resolves to.
        const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
        const bool local = !rendezvous.storeFile.empty() || rendezvous.master.rfind("127.", 0) == 0 ||
                           rendezvous.master.rfind("localhost:", 0) == 0;
        try {
            options->devices.push_back(interface && *interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                                       : local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                               : c10d::ProcessGroupGloo::createDefaultDevice());
        } catch (const std::exception& e) {
            throw InputError(std::string("cannot open a network interface for Gloo (GLOO_SOCKET_IFNAME=") +
                             (interface ? interface : "") + "): " + firstLine(e.what()));
        }
        options->threads = 2;
        guarded("joining the group", [&] {
            group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, rank_, world_, options);
        });
    }

    int rank() const override { return rank_; }
    int world() const override { return world_; }

    // (c10d's tensor lists mean one tensor per local device, all of one shape: callers pass one flat tensor.)
    void allReduceSum(torch::Tensor& tensor) override
    {
        std::vector<at::Tensor> list{tensor};
        guarded("an all-reduce", [&] { group_->allreduce(list)->wait(); });
    }

    using Aggregator::broadcast;
    void broadcast(torch::Tensor& tensor, int root) override
    {
        std::vector<at::Tensor> list{tensor};
        c10d::BroadcastOptions options;
        options.rootRank = root;
        guarded("a broadcast", [&] { group_->broadcast(list, options)->wait(); });
    }

    void barrier() override
    {
        guarded("a barrier", [&] { group_->barrier()->wait(); });
    }

    void publish(const std::string& key, const std::string& value) override
    {
        guarded("publishing '" + key + "'", [&] {
            store_->set(key + "/" + std::to_string(rank_), std::vector<uint8_t>(value.begin(), value.end()));
        });
    }

    std::vector<std::string> exchange(const std::string& key, const std::string& value) override
    {
        publish(key, value);
        std::vector<std::string> values(static_cast<std::size_t>(world_));
        guarded("exchanging '" + key + "'", [&] {
            for (int k = 0; k < world_; ++k) {
                const auto bytes = store_->get(key + "/" + std::to_string(k));
                values[static_cast<std::size_t>(k)].assign(bytes.begin(), bytes.end());
            }
        });
        return values;
    }

    bool published(const std::string& key, int rank) override
    {
        try {
            return store_->check({key + "/" + std::to_string(rank)});
        } catch (const std::exception&) {
            return false;
        }
    }

private:
    template <typename Body>
    void guarded(const std::string& what, Body&& body)
    {
        try {
            body();
        } catch (const PeerError&) {
            throw;
        } catch (const std::exception& e) {
            throw PeerError("site " + std::to_string(rank_) + " of " + std::to_string(world_) + ": " + what +
                            " failed (a site died, hung past the timeout, or is unreachable): " + firstLine(e.what()));
        }
    }

    c10::intrusive_ptr<c10d::Store> store_;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
    int rank_;
    int world_;
};

c10::intrusive_ptr<c10d::Store> openStore(const Rendezvous& r)
{
    if (!r.storeFile.empty())
        return c10::make_intrusive<c10d::FileStore>(r.storeFile, r.world);
    const auto colon = r.master.rfind(':');
    int port = 0;
    try {
        port = colon == std::string::npos ? 0 : std::stoi(r.master.substr(colon + 1));
    } catch (const std::exception&) {
        port = 0;
    }
    if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535)
        throw InputError("--master '" + r.master + "' is not an address; expected host:port, e.g. 10.0.0.1:29500");
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = r.rank == 0;
    options.numWorkers = static_cast<std::size_t>(r.world);
    options.timeout = r.timeout;
    return c10::make_intrusive<c10d::TCPStore>(r.master.substr(0, colon), options);
}

} // namespace

bool distributedAvailable() { return true; }

std::unique_ptr<Aggregator> connect(const Rendezvous& r)
{
    if (r.world < 1 || r.rank < 0 || r.rank >= r.world)
        throw InputError("rank " + std::to_string(r.rank) + " of world " + std::to_string(r.world) +
                         " is impossible; expected 0 <= rank < world");
    if (r.master.empty() == r.storeFile.empty())
        throw InputError("give the sites one meeting point: --master host:port or --store-file PATH");
    c10::intrusive_ptr<c10d::Store> store;
    try {
        store = openStore(r);
        store->setTimeout(r.timeout);
    } catch (const InputError&) {
        throw;
    } catch (const std::exception& e) {
        throw PeerError("site " + std::to_string(r.rank) + ": cannot reach the store at " +
                        (r.storeFile.empty() ? r.master : r.storeFile) + ": " + firstLine(e.what()));
    }
    return std::make_unique<GlooAggregator>(std::move(store), r);
}

#else

bool distributedAvailable() { return false; }

std::unique_ptr<Aggregator> connect(const Rendezvous&)
{
    throw InputError("this dermgan was built without c10d/Gloo (no gloo headers next to LibTorch; on Debian install "
                     "libgloo-dev and rebuild): federated and data-parallel training are unavailable");
}

#endif

} // namespace dermgan::distributed
