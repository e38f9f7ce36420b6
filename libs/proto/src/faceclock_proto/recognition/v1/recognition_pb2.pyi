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
    __slots__ = ("face_id", "refusal", "quality", "box", "resembles")
    FACE_ID_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    BOX_FIELD_NUMBER: _ClassVar[int]
    RESEMBLES_FIELD_NUMBER: _ClassVar[int]
    face_id: str
    refusal: Refusal
    quality: SampleQuality
    box: FaceBox
    resembles: _containers.RepeatedCompositeFieldContainer[PersonMatch]
    def __init__(self, face_id: _Optional[str] = ..., refusal: _Optional[_Union[Refusal, _Mapping]] = ..., quality: _Optional[_Union[SampleQuality, _Mapping]] = ..., box: _Optional[_Union[FaceBox, _Mapping]] = ..., resembles: _Optional[_Iterable[_Union[PersonMatch, _Mapping]]] = ...) -> None: ...

class IdentifyRequest(_message.Message):
    __slots__ = ("image", "threshold")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    image: bytes
    threshold: float
    def __init__(self, image: _Optional[bytes] = ..., threshold: _Optional[float] = ...) -> None: ...

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
    __slots__ = ("faces", "image_width", "image_height")
    FACES_FIELD_NUMBER: _ClassVar[int]
    IMAGE_WIDTH_FIELD_NUMBER: _ClassVar[int]
    IMAGE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    faces: _containers.RepeatedCompositeFieldContainer[FaceMatch]
    image_width: int
    image_height: int
    def __init__(self, faces: _Optional[_Iterable[_Union[FaceMatch, _Mapping]]] = ..., image_width: _Optional[int] = ..., image_height: _Optional[int] = ...) -> None: ...

class VerifyRequest(_message.Message):
    __slots__ = ("person_id", "image")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    image: bytes
    def __init__(self, person_id: _Optional[str] = ..., image: _Optional[bytes] = ...) -> None: ...

class VerifyResponse(_message.Message):
    __slots__ = ("match", "distance", "face_found")
    MATCH_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    FACE_FOUND_FIELD_NUMBER: _ClassVar[int]
    match: bool
    distance: float
    face_found: bool
    def __init__(self, match: _Optional[bool] = ..., distance: _Optional[float] = ..., face_found: _Optional[bool] = ...) -> None: ...

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
    __slots__ = ()
    def __init__(self) -> None: ...

class StatsResponse(_message.Message):
    __slots__ = ("faces", "persons", "index_type", "applied_change_id", "threshold", "encoder")
    FACES_FIELD_NUMBER: _ClassVar[int]
    PERSONS_FIELD_NUMBER: _ClassVar[int]
    INDEX_TYPE_FIELD_NUMBER: _ClassVar[int]
    APPLIED_CHANGE_ID_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    faces: int
    persons: int
    index_type: str
    applied_change_id: int
    threshold: float
    encoder: str
    def __init__(self, faces: _Optional[int] = ..., persons: _Optional[int] = ..., index_type: _Optional[str] = ..., applied_change_id: _Optional[int] = ..., threshold: _Optional[float] = ..., encoder: _Optional[str] = ...) -> None: ...
