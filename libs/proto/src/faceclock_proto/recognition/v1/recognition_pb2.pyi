import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FaceBox(_message.Message):
    __slots__ = ("top", "right", "bottom", "left")
    TOP_FIELD_NUMBER: _ClassVar[int]
    RIGHT_FIELD_NUMBER: _ClassVar[int]
    BOTTOM_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    top: int
    right: int
    bottom: int
    left: int
    def __init__(self, top: _Optional[int] = ..., right: _Optional[int] = ..., bottom: _Optional[int] = ..., left: _Optional[int] = ...) -> None: ...

class Refusal(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class SampleQuality(_message.Message):
    __slots__ = ("face_width_px", "sharpness", "nearest_own_distance")
    FACE_WIDTH_PX_FIELD_NUMBER: _ClassVar[int]
    SHARPNESS_FIELD_NUMBER: _ClassVar[int]
    NEAREST_OWN_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    face_width_px: int
    sharpness: float
    nearest_own_distance: float
    def __init__(self, face_width_px: _Optional[int] = ..., sharpness: _Optional[float] = ..., nearest_own_distance: _Optional[float] = ...) -> None: ...

class PersonMatch(_message.Message):
    __slots__ = ("person_id", "distance")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    distance: float
    def __init__(self, person_id: _Optional[str] = ..., distance: _Optional[float] = ...) -> None: ...

class EnrollRequest(_message.Message):
    __slots__ = ("person_id", "image")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    image: bytes
    def __init__(self, person_id: _Optional[str] = ..., image: _Optional[bytes] = ...) -> None: ...

class EnrollResponse(_message.Message):
    __slots__ = ("face_id", "refusal", "quality", "box", "resembles", "lookalike")
    FACE_ID_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    BOX_FIELD_NUMBER: _ClassVar[int]
    RESEMBLES_FIELD_NUMBER: _ClassVar[int]
    LOOKALIKE_FIELD_NUMBER: _ClassVar[int]
    face_id: str
    refusal: Refusal
    quality: SampleQuality
    box: FaceBox
    resembles: _containers.RepeatedCompositeFieldContainer[PersonMatch]
    lookalike: bool
    def __init__(self, face_id: _Optional[str] = ..., refusal: _Optional[_Union[Refusal, _Mapping]] = ..., quality: _Optional[_Union[SampleQuality, _Mapping]] = ..., box: _Optional[_Union[FaceBox, _Mapping]] = ..., resembles: _Optional[_Iterable[_Union[PersonMatch, _Mapping]]] = ..., lookalike: _Optional[bool] = ...) -> None: ...

class GalleryScope(_message.Message):
    __slots__ = ("person_ids",)
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, person_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class IdentifyRequest(_message.Message):
    __slots__ = ("image", "threshold", "scope", "within_identify_limit")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    WITHIN_IDENTIFY_LIMIT_FIELD_NUMBER: _ClassVar[int]
    image: bytes
    threshold: float
    scope: GalleryScope
    within_identify_limit: bool
    def __init__(self, image: _Optional[bytes] = ..., threshold: _Optional[float] = ..., scope: _Optional[_Union[GalleryScope, _Mapping]] = ..., within_identify_limit: _Optional[bool] = ...) -> None: ...

class FaceMatch(_message.Message):
    __slots__ = ("box", "person_id", "distance", "confidence", "ambiguous", "candidates")
    BOX_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    AMBIGUOUS_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    box: FaceBox
    person_id: str
    distance: float
    confidence: float
    ambiguous: bool
    candidates: _containers.RepeatedCompositeFieldContainer[PersonMatch]
    def __init__(self, box: _Optional[_Union[FaceBox, _Mapping]] = ..., person_id: _Optional[str] = ..., distance: _Optional[float] = ..., confidence: _Optional[float] = ..., ambiguous: _Optional[bool] = ..., candidates: _Optional[_Iterable[_Union[PersonMatch, _Mapping]]] = ...) -> None: ...

class IdentifyResponse(_message.Message):
    __slots__ = ("faces", "image_width", "image_height", "threshold", "gallery_faces")
    FACES_FIELD_NUMBER: _ClassVar[int]
    IMAGE_WIDTH_FIELD_NUMBER: _ClassVar[int]
    IMAGE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    GALLERY_FACES_FIELD_NUMBER: _ClassVar[int]
    faces: _containers.RepeatedCompositeFieldContainer[FaceMatch]
    image_width: int
    image_height: int
    threshold: float
    gallery_faces: int
    def __init__(self, faces: _Optional[_Iterable[_Union[FaceMatch, _Mapping]]] = ..., image_width: _Optional[int] = ..., image_height: _Optional[int] = ..., threshold: _Optional[float] = ..., gallery_faces: _Optional[int] = ...) -> None: ...

class VerifyRequest(_message.Message):
    __slots__ = ("person_id", "image")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    image: bytes
    def __init__(self, person_id: _Optional[str] = ..., image: _Optional[bytes] = ...) -> None: ...

class VerifyResponse(_message.Message):
    __slots__ = ("match", "distance", "face_found", "threshold", "confidence", "faces")
    MATCH_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    FACE_FOUND_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    FACES_FIELD_NUMBER: _ClassVar[int]
    match: bool
    distance: float
    face_found: bool
    threshold: float
    confidence: float
    faces: int
    def __init__(self, match: _Optional[bool] = ..., distance: _Optional[float] = ..., face_found: _Optional[bool] = ..., threshold: _Optional[float] = ..., confidence: _Optional[float] = ..., faces: _Optional[int] = ...) -> None: ...

class ListFacesRequest(_message.Message):
    __slots__ = ("person_id",)
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    def __init__(self, person_id: _Optional[str] = ...) -> None: ...

class FaceRecord(_message.Message):
    __slots__ = ("face_id", "created_at")
    FACE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    face_id: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, face_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListFacesResponse(_message.Message):
    __slots__ = ("faces",)
    FACES_FIELD_NUMBER: _ClassVar[int]
    faces: _containers.RepeatedCompositeFieldContainer[FaceRecord]
    def __init__(self, faces: _Optional[_Iterable[_Union[FaceRecord, _Mapping]]] = ...) -> None: ...

class DeleteFacesRequest(_message.Message):
    __slots__ = ("person_id", "face_ids")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    FACE_IDS_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    face_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, person_id: _Optional[str] = ..., face_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteFacesResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...

class StatsRequest(_message.Message):
    __slots__ = ("scope",)
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: GalleryScope
    def __init__(self, scope: _Optional[_Union[GalleryScope, _Mapping]] = ...) -> None: ...

class StatsResponse(_message.Message):
    __slots__ = ("faces", "persons", "index_type", "applied_change_id", "threshold", "encoder", "target_fpir", "identify_limit_faces", "scope_faces", "scope_threshold", "verify_threshold", "identify_max_fnir", "scope_fnir", "calibration_source", "load_state", "pending_photos", "max_pending_photos", "workers", "worker_mode")
    FACES_FIELD_NUMBER: _ClassVar[int]
    PERSONS_FIELD_NUMBER: _ClassVar[int]
    INDEX_TYPE_FIELD_NUMBER: _ClassVar[int]
    APPLIED_CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    TARGET_FPIR_FIELD_NUMBER: _ClassVar[int]
    IDENTIFY_LIMIT_FACES_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FACES_FIELD_NUMBER: _ClassVar[int]
    SCOPE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    VERIFY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    IDENTIFY_MAX_FNIR_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FNIR_FIELD_NUMBER: _ClassVar[int]
    CALIBRATION_SOURCE_FIELD_NUMBER: _ClassVar[int]
    LOAD_STATE_FIELD_NUMBER: _ClassVar[int]
    PENDING_PHOTOS_FIELD_NUMBER: _ClassVar[int]
    MAX_PENDING_PHOTOS_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    WORKER_MODE_FIELD_NUMBER: _ClassVar[int]
    faces: int
    persons: int
    index_type: str
    applied_change_id: int
    threshold: float
    encoder: str
    target_fpir: float
    identify_limit_faces: int
    scope_faces: int
    scope_threshold: float
    verify_threshold: float
    identify_max_fnir: float
    scope_fnir: float
    calibration_source: str
    load_state: str
    pending_photos: int
    max_pending_photos: int
    workers: int
    worker_mode: str
    def __init__(self, faces: _Optional[int] = ..., persons: _Optional[int] = ..., index_type: _Optional[str] = ..., applied_change_id: _Optional[int] = ..., threshold: _Optional[float] = ..., encoder: _Optional[str] = ..., target_fpir: _Optional[float] = ..., identify_limit_faces: _Optional[int] = ..., scope_faces: _Optional[int] = ..., scope_threshold: _Optional[float] = ..., verify_threshold: _Optional[float] = ..., identify_max_fnir: _Optional[float] = ..., scope_fnir: _Optional[float] = ..., calibration_source: _Optional[str] = ..., load_state: _Optional[str] = ..., pending_photos: _Optional[int] = ..., max_pending_photos: _Optional[int] = ..., workers: _Optional[int] = ..., worker_mode: _Optional[str] = ...) -> None: ...

class CheckLivenessRequest(_message.Message):
    __slots__ = ("frames", "steps", "identify_scope")
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    IDENTIFY_SCOPE_FIELD_NUMBER: _ClassVar[int]
    frames: _containers.RepeatedScalarFieldContainer[bytes]
    steps: _containers.RepeatedScalarFieldContainer[str]
    identify_scope: GalleryScope
    def __init__(self, frames: _Optional[_Iterable[bytes]] = ..., steps: _Optional[_Iterable[str]] = ..., identify_scope: _Optional[_Union[GalleryScope, _Mapping]] = ...) -> None: ...

class CheckLivenessResponse(_message.Message):
    __slots__ = ("live", "refusal", "message", "frames", "frames_with_face", "best_frame", "match", "agreeing_frames")
    LIVE_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    FRAMES_WITH_FACE_FIELD_NUMBER: _ClassVar[int]
    BEST_FRAME_FIELD_NUMBER: _ClassVar[int]
    MATCH_FIELD_NUMBER: _ClassVar[int]
    AGREEING_FRAMES_FIELD_NUMBER: _ClassVar[int]
    live: bool
    refusal: str
    message: str
    frames: int
    frames_with_face: int
    best_frame: int
    match: FaceMatch
    agreeing_frames: int
    def __init__(self, live: _Optional[bool] = ..., refusal: _Optional[str] = ..., message: _Optional[str] = ..., frames: _Optional[int] = ..., frames_with_face: _Optional[int] = ..., best_frame: _Optional[int] = ..., match: _Optional[_Union[FaceMatch, _Mapping]] = ..., agreeing_frames: _Optional[int] = ...) -> None: ...
