"""The upload size limit, enforced while the request streams in: a file over MAX_UPLOAD_MB is skipped (its bytes
read and dropped, never stored) and the request remembers why, so the form can say so. First in
FILE_UPLOAD_HANDLERS, before Django's memory and temporary-file handlers."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def upload_limit_message(file_name: str | None = None) -> str:
    what = f"'{file_name}'" if file_name else "The upload"
    return f"{what} is over the {settings.MAX_UPLOAD_MB} MB upload limit: split the file or save it as CSV."


class UploadLimitHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # the whole request declares more than the limit (plus room for the form's other fields): skip every file
        self.too_big = content_length > settings.MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_big:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.MAX_UPLOAD_MB * 1024 * 1024:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file

    def _refuse(self):
        if not getattr(self.request, "upload_refused", ""):  # the first file skipped is the one to name
            self.request.upload_refused = upload_limit_message(self.file_name)
        raise SkipFile
