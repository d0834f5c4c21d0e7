"""The per-network limits publisher checks before sending anything, each with its source.

This is the part of the resource-type registry that says *why*: the JSON Schemas in
`schemas/` enforce these limits, and a test checks that every length, count, required media
field and URL rule in a schema is listed here with the same value, and nothing else is.
A limit marked `inferred` is not stated by the network or by OneAll: it is our reading of
their examples, SDKs or help pages, and can be corrected here and in the schema.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Limit(NamedTuple):
    field: str  # the manifest field, or a definition of common.json ("#http_url")
    rule: str  # the schema keyword: maxLength, maxItems, minItems, x-twitter-length, required, pattern
    value: Any
    source: str
    inferred: bool = False


_TWITTER_COUNTING = "Twitter's counting rules (developer.twitter.com, 'Counting characters'; twitter-text v3, 280 weighted)"
_FACEBOOK_LENGTH = "Facebook's post length as its composer enforces it; the Graph API reference states no number"
_YOUTUBE_BYTES = "YouTube Data API reference: a description is at most 5,000 bytes (of UTF-8)"
_LANGUAGE = "YouTube Data API reference: a BCP-47 language code"
_LANGUAGE_PATTERN = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
_URL_PATTERN = "^https?://[^\\s/$.?#@\\\\\\u0000-\\u001f\\u007f][^\\s/?#@\\\\\\u0000-\\u001f\\u007f]*(?:[/?#][^\\s\\\\\\u0000-\\u001f\\u007f]*)?$"
_URL_LENGTH = "the longest URL common browsers and link previews accept"
_OWN_RULE = "publisher's rule: an empty list would send nothing"
_ONEALL_REQUIRED = "OneAll Push API documentation: the field is marked required"
_ONEALL_SDK = "OneAll's PHP SDK passes it as a required argument"


def _facebook(name: str, text_field: str, required: tuple[str, ...]) -> tuple[Limit, ...]:
    limits = [Limit(text_field, "maxLength", 63206, _FACEBOOK_LENGTH, inferred=True)]
    if name.endswith("/post"):
        limits.append(Limit("attachments", "minItems", 1, _OWN_RULE))
    limits += [Limit(field, "required", True, _ONEALL_SDK, inferred=field != "url") for field in required]
    return tuple(limits)


def _linkedin(*required: str) -> tuple[Limit, ...]:
    return (
        Limit("message", "maxLength", 3000, "LinkedIn Posts API: commentary is at most 3,000 characters"),
        Limit("title", "maxLength", 200, "LinkedIn Share API: a shared link's title is at most 200 characters"),
        Limit("description", "maxLength", 256, "LinkedIn Share API: a shared link's description is at most 256 characters"),
        *(Limit(field, "required", True, _ONEALL_SDK, inferred=field == "company") for field in required),
    )


LIMITS: dict[str, tuple[Limit, ...]] = {
    "#http_url": (
        Limit("#http_url", "pattern", _URL_PATTERN, "OneAll: links are full URLs; publisher allows http(s) only", True),
        Limit("#http_url", "maxLength", 2048, _URL_LENGTH, True),
    ),
    "#media_url": (
        Limit("#media_url", "pattern", _URL_PATTERN, "OneAll Push API: media are fully qualified URLs, which OneAll downloads"),
        Limit("#media_url", "maxLength", 2048, _URL_LENGTH, True),
    ),
    "facebook/post": _facebook("facebook/post", "message", ()),
    "facebook/picture": _facebook("facebook/picture", "description", ("url",)),
    "facebook/video": _facebook("facebook/video", "description", ("url",)),
    "facebook/group/post": _facebook("facebook/group/post", "message", ("group_id",)),
    "facebook/group/picture": _facebook("facebook/group/picture", "description", ("group_id", "url")),
    "facebook/group/video": _facebook("facebook/group/video", "description", ("group_id", "url")),
    "facebook/page/post": _facebook("facebook/page/post", "message", ("page_id",)),
    "facebook/page/picture": _facebook("facebook/page/picture", "description", ("page_id", "url")),
    "facebook/page/video": _facebook("facebook/page/video", "description", ("page_id", "url")),
    "linkedin/post": _linkedin("link"),
    "linkedin/company/post": _linkedin("company", "link"),
    "pinterest/board": (
        Limit("name", "minLength", 1, "Pinterest API v5 reference: a board needs a name"),
        Limit("name", "maxLength", 180, "Pinterest API v5 reference: a board name is at most 180 characters", True),
        Limit("description", "maxLength", 500, "Pinterest API v5 reference: a board description is at most 500 characters", True),
        Limit("name", "required", True, "Pinterest API v5 reference: a board needs a name"),
    ),
    "pinterest/pin": (
        Limit("description", "maxLength", 500, "Pinterest's apps show at most 500 characters; API v5 accepts 800", True),
        Limit("picture", "required", True, "Pinterest: a pin is a picture; OneAll's SDK sends it with every pin", True),
    ),
    "twitter/post": (
        Limit("message", "minLength", 1, "Twitter refuses an empty tweet (twitter-text: an empty text is not valid)"),
        Limit("message", "x-twitter-length", 280, _TWITTER_COUNTING),
        Limit("attachments", "minItems", 1, _OWN_RULE),
        Limit("attachments", "maxItems", 4, "Twitter API: a tweet carries at most 4 photos"),
    ),
    "twitter/picture": (
        Limit("description", "maxLength", 1000, "Twitter API: a picture's alt text is at most 1,000 characters"),
        Limit("url", "required", True, _ONEALL_REQUIRED),
    ),
    "twitter/video": (Limit("video_url", "required", True, _ONEALL_SDK),),
    "youtube/video": (
        Limit("title", "minLength", 1, "YouTube Data API reference: a video needs a title"),
        Limit("title", "maxLength", 100, "YouTube Data API reference: a video title is at most 100 characters"),
        Limit("description", "x-max-utf8-bytes", 5000, _YOUTUBE_BYTES),
        Limit("video_url", "required", True, _ONEALL_SDK),
        Limit("title", "required", True, "YouTube Data API reference: a video needs a title"),
    ),
    "youtube/playlist": (
        Limit("title", "minLength", 1, "YouTube Data API reference: a playlist needs a title"),
        Limit("title", "maxLength", 150, "YouTube Data API reference: a playlist title is at most 150 characters"),
        Limit("description", "x-max-utf8-bytes", 5000, _YOUTUBE_BYTES),
        Limit("default_language", "pattern", _LANGUAGE_PATTERN, _LANGUAGE),
        Limit("title", "required", True, "OneAll Update API documentation: the PUT requires the title"),
    ),
    "youtube/playlist/video": (),
    "youtube/channel/section": (
        Limit("title", "maxLength", 100, "YouTube Data API reference: a channel section title is at most 100 characters", True),
        Limit("playlists", "minItems", 1, _OWN_RULE),
        Limit("position", "minimum", 0, "YouTube Data API reference: positions count from 0"),
        Limit("defaultLanguage", "pattern", _LANGUAGE_PATTERN, _LANGUAGE),
        Limit("section_type", "required", True, "YouTube Data API reference: a channel section has a type"),
    ),
}
