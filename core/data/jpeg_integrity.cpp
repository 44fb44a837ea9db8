#include "data/jpeg_integrity.h"

#include <csetjmp>
#include <cstdio>

#include <jerror.h>
#include <jpeglib.h>

namespace dermgan {

namespace {

struct ErrorManager {
    jpeg_error_mgr base;
    std::jmp_buf jump;
    std::string problem;
};

[[noreturn]] void onError(j_common_ptr info)
{
    auto* manager = reinterpret_cast<ErrorManager*>(info->err);
    char text[JMSG_LENGTH_MAX];
    info->err->format_message(info, text);
    manager->problem = text;
    std::longjmp(manager->jump, 1);
}

// Warnings that mean pixels were invented for missing data (libjpeg fills them in and carries on).
void onMessage(j_common_ptr info, int level)
{
    if (level != -1)
        return;  // trace messages
    const int code = info->err->msg_code;
    auto* manager = reinterpret_cast<ErrorManager*>(info->err);
    if (manager->problem.empty() && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_MUST_RESYNC)) {
        char text[JMSG_LENGTH_MAX];
        info->err->format_message(info, text);
        manager->problem = text;
    }
}

} // namespace

std::optional<std::string> jpegDataProblem(const std::vector<std::uint8_t>& bytes)
{
    if (bytes.size() < 3 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF)
        return std::nullopt;
    jpeg_decompress_struct info{};
    ErrorManager manager{};
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = onError;
    manager.base.emit_message = onMessage;
    std::vector<JSAMPLE> row;  // declared before setjmp: no object with a destructor is skipped by longjmp
    if (setjmp(manager.jump)) {
        jpeg_destroy_decompress(&info);
        return manager.problem.empty() ? std::string("unreadable JPEG data") : manager.problem;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&info, TRUE);
    info.scale_num = 1;
    info.scale_denom = 8;
    info.dct_method = JDCT_IFAST;
    info.do_fancy_upsampling = FALSE;
    jpeg_start_decompress(&info);
    row.resize(static_cast<std::size_t>(info.output_width) * static_cast<std::size_t>(info.output_components));
    JSAMPROW rows[1] = {row.data()};
    while (info.output_scanline < info.output_height && manager.problem.empty())
        jpeg_read_scanlines(&info, rows, 1);
    if (manager.problem.empty())
        jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    if (manager.problem.empty())
        return std::nullopt;
    return manager.problem;
}

} // namespace dermgan
