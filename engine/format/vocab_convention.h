#pragma once

#include "engine/tokenizer/vocab.h"

#include <string>
#include <string_view>

namespace fireside {

// Both containers' vocabularies are brought into the one `Vocab` convention here.
//
// ggjt files carry only text and score, so kinds follow the LLaMA SentencePiece layout the converters
// wrote: id 0 Unknown, ids 1 and 2 Control (BOS, EOS), ids 3..258 Byte when they hold exactly the single
// bytes 0x00..0xFF in order (otherwise all of them stay Normal), everything else Normal.
//
// A Normal token whose text is not valid UTF-8 is accepted as it is: the tokenizer works on bytes, and
// such pieces only ever match the same bytes in the input; text shown to users must be made valid by
// whoever displays it. Nothing in the reader depends on the encoding, so it cannot crash on it.
void classify_ggjt_tokens(Vocab& vocab);

// GGUF stores pieces with U+2581 for spaces and byte tokens as "<0xNN>"; converts one piece of the given
// GGUF token type into the convention: byte tokens become their single raw byte, Control tokens become
// empty (they stand for no text, as in ggjt files), the Unknown token becomes " \u2047 " (SentencePiece's
// surface form of <unk>, as ggjt files store it), and U+2581 becomes ' ' elsewhere.
// Returns false when a Byte token's text is not of the form <0xNN>.
bool convert_gguf_piece(std::string_view piece, TokenKind kind, std::string& out);

bool is_valid_utf8(std::string_view text);

} // namespace fireside
